// /api/v1/docs: Swagger UI (served by the app from the swagger-ui-py package) on the OpenAPI document.
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true });
})();
