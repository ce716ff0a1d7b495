import { builder } from './builder.ts';

/**
 * A GraphQL enum whose values are a Prisma enum's (generated from schema.prisma), each described
 * here: a value added to the database schema fails the type check until it is described, and no
 * GraphQL value can exist that the database does not have.
 */
export function prismaEnum<const E extends Record<string, string>>(
  prismaValues: E,
  name: string,
  description: string,
  values: { [V in E[keyof E]]: string },
) {
  const config = Object.fromEntries(Object.values(prismaValues).map((value) => [value, { value, description: values[value as E[keyof E]] }]));
  return builder.enumType(name, { description, values: config as { [V in E[keyof E]]: { value: V; description: string } } });
}
