export * from './measurement.js';
export * from './report.js';
export * from './api.js';
