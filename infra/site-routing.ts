/**
 * The site's routing at the edge, with no CDK import (tests run it as CloudFront would): a
 * CloudFront Function (cloudfront-js-2.0) on the viewer requests of the default behaviour, the
 * pages' bucket. A deep link into the single-page app (`/guests/<id>`, `/activate?accountId=…`)
 * names no file: it is answered with `/index.html`, and the app routes it in the browser. A path
 * whose last segment has a dot names a file (`/assets/index-3f2a.js`, `/favicon.ico`) and is asked
 * of the bucket as it is: a missing one is a 403 from S3, never the app.
 *
 * This is done per request on the pages' behaviour only, rather than with the distribution's error
 * responses (403/404 → /index.html), which would also rewrite the API's own 403s and 404s into the
 * app's HTML.
 */

/** The directory of the pages' build whose files are named by their content (Vite's `build.assetsDir`). */
export const WEB_ASSETS_DIR = 'assets';

/** The function's code (ES5.1 plus what cloudfront-js-2.0 allows). */
export const SPA_ROUTING_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;
