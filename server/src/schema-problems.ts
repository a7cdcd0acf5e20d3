// Schema errors in words a person can act on, for every schema the server checks: request
// parts (Ajv), the rules file and the configuration (TypeBox). Both report errors of one shape.

export interface SchemaError {
  instancePath: string;
  schemaPath?: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** What is wrong at one place of the value (a JSON pointer, "" for the whole). */
export interface PlaceProblems {
  where: string;
  problems: string[];
}

/**
 * Each place once, each problem once. A value that must be one of a few (a union of literals)
 * fails each literal and then the union: said once, with the values it may take ("must be one
 * of: amber, red"). A nullable value that fails inside its shape is said by the error inside,
 * without "must be null" and "must match a schema in anyOf" about the whole. Unknown keys are
 * named once, with their parent.
 */
export function schemaProblems(errors: readonly SchemaError[]): PlaceProblems[] {
  const byPath = new Map<string, SchemaError[]>();
  for (const error of errors) {
    byPath.set(error.instancePath, [...(byPath.get(error.instancePath) ?? []), error]);
  }

  const places: PlaceProblems[] = [];
  for (const [where, all] of byPath) {
    const found = withoutUnionNoise(errors, where, all);
    const allowed = found.filter((e) => e.keyword === 'const').map((e) => e.params?.allowedValue);
    const onlyChoices = found.every((e) => e.keyword === 'const' || e.keyword === 'anyOf');
    const unknown = found.flatMap((e) =>
      e.keyword === 'additionalProperties' ? (e.params?.additionalProperties as string[]) : [],
    );
    // "schema is false" (TypeBox) is an unknown key's own error, named with its parent.
    const said = found.filter((e) => e.keyword !== 'boolean');

    if (allowed.length > 0 && onlyChoices) {
      places.push({ where, problems: [`must be one of: ${allowed.map(String).join(', ')}`] });
    } else if (unknown.length > 0) {
      const keys = unknown.length === 1 ? 'an unknown key' : 'unknown keys';
      places.push({ where, problems: [`has ${keys}: ${unknown.join(', ')}`] });
    } else if (said.length > 0) {
      const messages = said.map((e) => e.message ?? 'is not valid');
      places.push({ where, problems: [...new Set(messages)] });
    }
  }
  return places;
}

function withoutUnionNoise(
  errors: readonly SchemaError[],
  where: string,
  all: SchemaError[],
): SchemaError[] {
  const noise = (e: SchemaError) => e.keyword === 'anyOf' || e.params?.type === 'null';
  const inside = errors.some((e) => e.instancePath.startsWith(`${where}/`));
  if (inside) return all.filter((e) => !noise(e) && !e.schemaPath?.includes('/anyOf/'));

  const said = all.filter((e) => !noise(e));
  return said.length > 0 && said.every((e) => e.keyword !== 'const') ? said : all;
}

/** After a heading: one problem on the same line, several one a line. */
export function listProblems(lines: readonly string[]): string {
  return lines.length === 1 ? ` ${lines[0]}` : `\n  ${lines.join('\n  ')}`;
}
