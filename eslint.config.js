// Type-aware lint (typescript-eslint): a monitor must not drop a promise or an error silently,
// which only rules that see the types can catch (no-floating-promises, no-misused-promises).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdk.out/", ".cache/", ".tmp/", "bench/results/", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // Interface methods (deliver, load, collect) are async by contract even where an
      // implementation has nothing to await; no-floating-promises guards the callers.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Tests reach into results they just asserted on; non-null assertions there are the assertion.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off", "@typescript-eslint/unbound-method": "off" },
  },
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
);
