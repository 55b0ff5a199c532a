import type { AnyTool } from './define.js';

export default [] as AnyTool[];
