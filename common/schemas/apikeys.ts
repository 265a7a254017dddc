/** Schemas of Open311 API keys, issued by an admin per client and area. */
import { Type, type Static } from 'typebox';

export const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  keyPrefix: Type.String(),
  areaCode: Type.String(),
  areaName: Type.String(),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});
export type ApiKeyView = Static<typeof ApiKeyView>;
export const ApiKeyList = Type.Object({ items: Type.Array(ApiKeyView) });

export const ApiKeyCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    areaCode: Type.String({ pattern: '^[0-9]{12}$' }),
  },
  { additionalProperties: false },
);
export type ApiKeyCreate = Static<typeof ApiKeyCreate>;

/** The key itself is shown once, at creation. */
export const ApiKeyCreated = Type.Intersect([ApiKeyView, Type.Object({ key: Type.String() })]);
export const ApiKeyIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
