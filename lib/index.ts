export * from './core';
export * from './source';
export * from './build';
export * from './pipeline';
export * from './deploy';
export * from './checks';
