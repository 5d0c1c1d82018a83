// Public surface of the Node-side inference helpers.
export * from './integrity.js';
export * from './labels.js';
export * from './manifest.js';
export * from './masks.js';
export * from './preprocess.js';
export * from './prompts.js';
export * from './refPooling.js';
export * from './segmenter.js';
export * from './sessions.js';
export * from './tokenizer.js';
