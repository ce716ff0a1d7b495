export * from './codes.ts';
export * from './figures.ts';
export * from './time.ts';
