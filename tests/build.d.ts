declare module "../build/index.js" {
  const worker: ExportedHandler<Env>;
  export default worker;
}
