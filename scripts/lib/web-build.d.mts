/** Types for web-build.mjs (plain JavaScript, run by `npm start` before anything is compiled). */
export declare function ensureWebAppsBuilt(): void;
