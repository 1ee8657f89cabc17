document.querySelector("#app").textContent = "Hello from Acme";
