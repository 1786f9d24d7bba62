// Starts ReDoc on /redoc. A file, not an inline script, so the page's CSP can forbid inline scripts.
"use strict";
(function () {
  const root = document.getElementById("redoc");
  Redoc.init(root.dataset.openapiUrl, {}, root);
})();
