export async function seedDatabase(..._a: unknown[]): Promise<string> { return "todo"; }
