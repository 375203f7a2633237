export { type Config, ConfigError, configTableMarkdown, ENV_SCHEMA, loadConfig } from './config.js';
