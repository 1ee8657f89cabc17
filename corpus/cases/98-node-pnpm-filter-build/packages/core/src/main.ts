import "@acme/config"; console.log("up");
