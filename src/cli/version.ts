/** Skiff's version, as package.json says (test/cli/version.test.ts keeps the two equal). */
export const SKIFF_VERSION = "0.1.0";
