/** Schemas used by every endpoint: the one error shape, paging, ids. */
import { Type, type Static } from 'typebox';

export const ErrorDetail = Type.Object({
  field: Type.String({ description: 'Path of the offending field, e.g. "body.username"' }),
  rule: Type.String({ description: 'The rule it broke, e.g. "required", "maxLength", "format"' }),
  message: Type.Optional(Type.String()),
});

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. "validation.failed"' }),
      message: Type.String({ description: "Human-readable message in the request's language" }),
      details: Type.Optional(Type.Array(ErrorDetail)),
      requestId: Type.Optional(Type.String()),
      retryAfterSeconds: Type.Optional(Type.Integer()),
    }),
  },
  { $id: 'Error', description: 'The one error shape of every endpoint' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Ok = Type.Object({ ok: Type.Literal(true) });

/** A staff or resident account id (UUID). */
export const Id = Type.String({ format: 'uuid' });
