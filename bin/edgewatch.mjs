#!/usr/bin/env node
// The `edgewatch` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

// The lockfile pins AWS SDK releases that support this Node.js; the SDK's notice about future
// releases needing Node.js 22 would otherwise open every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
