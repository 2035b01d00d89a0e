export * from './settings-model.js';
export * from './settings-rules.js';
