// Client-side routing: every path is answered with index.html by the server,
// and this script picks the view.
fetch("/assets/routes.json")
  .then((r) => r.json())
  .then((t) => {
    document.getElementById("view").textContent =
      "Trail log " + t.version + " at " + location.pathname;
  });
