/**
 * Types only: the api's tRPC router as self-contained declarations (generated from the server's
 * router by scripts/router-types.ts). Importing this type-checks no server code.
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './generated/router.js';

export type { AppRouter, AppRouterRecord, PlintoErrorData, PlintoErrorShape } from './generated/router.js';
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
