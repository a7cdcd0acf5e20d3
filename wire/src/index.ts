export * from './report.js';
export * from './api.js';
