/** Request validation: bodies are checked strictly (no type coercion, unknown fields rejected); query strings and params are coerced from text. */
import { Ajv, type Options } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats ships CommonJS with a default export that ESM sees one level down.
const addFormats = ((addFormatsImport as unknown as { default?: typeof addFormatsImport }).default ??
  addFormatsImport) as unknown as (ajv: Ajv) => Ajv;

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    useDefaults: true,
    removeAdditional: false,
    ...options,
  });
  addFormats(ajv);
  return ajv;
}

const strict = makeAjv({ coerceTypes: false });
const coercing = makeAjv({ coerceTypes: 'array' });

// NUL is refused by PostgreSQL text and jsonb; an unpaired UTF-16 surrogate is refused by jsonb (and mangled in text).
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

interface Visit {
  value: unknown;
  key: string;
  parent: Visit | null;
}

function pointerOf(node: Visit): string {
  const keys: string[] = [];
  for (let n: Visit | null = node; n?.parent; n = n.parent)
    keys.push(n.key.replaceAll('~', '~0').replaceAll('/', '~1'));
  return keys
    .reverse()
    .map((k) => `/${k}`)
    .join('');
}

/**
 * The JSON pointer of the first string or key that PostgreSQL cannot store, or null. Iterative, since a JSON
 * body may nest deeper than the call stack.
 */
export function findUnstorableText(root: unknown): string | null {
  const stack: Visit[] = [{ value: root, key: '', parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return pointerOf(node);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const next = { value: child, key, parent: node };
        if (UNSTORABLE.test(key)) return pointerOf(next);
        stack.push(next);
      }
    }
  }
  return null;
}

type Validate = ReturnType<FastifySchemaCompiler<object>> & { schemaEnv?: unknown };

/**
 * Picks the strict validator for bodies and the coercing one for everything that arrives as text; valid input
 * is then checked for text the database cannot store (a 400 naming the field, not a 500 from PostgreSQL).
 */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  const validate = ajv.compile(schema);
  const checked = ((data: unknown, dataCxt?: unknown) => {
    if (!(validate as (d: unknown, c?: unknown) => boolean)(data, dataCxt)) {
      checked.errors = validate.errors ?? null;
      return false;
    }
    const at = findUnstorableText(data);
    checked.errors =
      at === null ? null : [{ keyword: 'characters', instancePath: at, schemaPath: '', params: {} }];
    return at === null;
  }) as Validate;
  // Fastify passes the parent object to validators that have one, so Ajv can apply defaults at the root.
  checked.schemaEnv = validate.schemaEnv;
  return checked;
};
