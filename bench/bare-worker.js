// The yardstick of `npm run bench`: a Worker that answers "ok", under the same wrangler as the app.
/* global Response */
export default {
  fetch() {
    return new Response("ok");
  },
};
