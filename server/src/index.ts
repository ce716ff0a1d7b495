export { buildApp, type App, type BuildAppOptions } from './app.ts';
export { serverConfigFromEnv, type ServerConfig } from './config.ts';
export { createLogger, type Logger } from './logger.ts';
export { createClientFiles } from './http/client-files.ts';
