export * from './domain.js';
export * from './result.js';
export * from './channels.js';
export * from './events.js';
export * from './bridge.js';
export * from './ai.js';
