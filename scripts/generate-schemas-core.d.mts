// Types for generate-schemas-core.mjs, so TypeScript tests can import it.

/** The schema files and the modules generated from them, relative to the repository root. */
export declare const TARGETS: readonly { readonly source: string; readonly output: string }[];

/** Reads a file given relative to the repository root. */
export declare function readRepoFile(relativePath: string): string;

/** Generates the TypeScript module for one schema file (`fileName` is shown as schemas/<fileName>). */
export declare function generateModule(jsonText: string, fileName: string): string;
