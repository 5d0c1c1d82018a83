export * from './ai.js';
export * from './autolabel.js';
export * from './bridge.js';
export * from './channels.js';
export * from './domain.js';
export * from './events.js';
export * from './result.js';
export * from './review.js';
