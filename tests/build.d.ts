// The built Worker (`remix build` writes build/index.js before the tests run). Declared by pattern so
// that `tsc` passes on a clean clone, before any build exists.
declare module "*/build/index.js" {
  const worker: ExportedHandler<Env>;
  export default worker;
}

// The server build's esbuild metafile (written beside it by `remix build`).
declare module "*/build/metafile.server.json" {
  const metafile: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  export default metafile;
}
