/** Filling a message template's {placeholders}: shared by the server's lookup and the web app's, which loads catalogues lazily. */

export type MessageParams = Readonly<Record<string, string | number>>;

/** Replaces each {name} of a template with params.name (unknown names stay visible). */
export function fillMessage(template: string, params?: MessageParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}
