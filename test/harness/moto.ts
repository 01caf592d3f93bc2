// Moved to lib/testbed/ (shipped scripts and the benchmark use it too); tests may import either.
export * from "../../lib/testbed/moto.ts";
