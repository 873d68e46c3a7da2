// Swagger UI over /api/openapi.json. "Try it out" works with either kind of session:
// - Bearer: Authorize with the token from POST /api/auth/login {"token": true}.
// - Cookie: POST /api/auth/login without token; the browser keeps the session cookie, and this page sends the
//   session's CSRF token (from that answer, or from GET /api/auth/me) as X-CSRF-Token on every write.
"use strict";
(function () {
  const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
  let csrfToken = null;

  function rememberCsrf(response) {
    const session = response && response.body && response.body.data && response.body.data.session;
    if (session && session.via === "cookie" && session.csrf_token) {
      csrfToken = session.csrf_token;
    } else if (response && response.url && /\/api\/auth\/logout(-all)?$/.test(response.url) && response.ok) {
      csrfToken = null;
    }
    return response;
  }

  function addCsrf(request) {
    const headers = request.headers || (request.headers = {});
    const hasBearer = Object.keys(headers).some(
      (name) => name.toLowerCase() === "authorization" && /^bearer /i.test(headers[name]));
    if (csrfToken && WRITES.has(String(request.method).toUpperCase()) && !hasBearer && !headers["X-CSRF-Token"]) {
      headers["X-CSRF-Token"] = csrfToken;
    }
    return request;
  }

  window.ui = SwaggerUIBundle({
    url: new URL("openapi.json", window.location.href).toString(),
    dom_id: "#swagger-ui",
    deepLinking: true,
    filter: true, // a box that narrows the page to one tag: 150 operations are a long page
    withCredentials: true,
    requestInterceptor: addCsrf,
    responseInterceptor: rememberCsrf,
  });
})();
