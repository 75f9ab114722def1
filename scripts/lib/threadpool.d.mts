/** Types for threadpool.mjs (plain JavaScript, run by `npm start` before anything is compiled). */
export declare function apiThreadPoolEnv(env?: Record<string, string | undefined>): { UV_THREADPOOL_SIZE?: string };
