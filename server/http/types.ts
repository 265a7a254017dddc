/** The Fastify instance type with TypeBox inference, and the per-route options modules declare. */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'public' routes need no session; every other route does (deny by default). */
    auth?: 'public' | 'session';
    /** Public writes that need no CSRF token (login). */
    csrf?: boolean;
    /** Opt out of Idempotency-Key handling (login, logout: their cookies must not be replayed). */
    idempotency?: boolean;
    /**
     * A write that never changes sessions, accounts, assignments or the names of categories, areas and departments:
     * the server keeps its cached sessions and names after it (by default every write makes it forget them; see
     * http/app.ts).
     */
    keepsCaches?: boolean;
  }
}
