document.title = "Landing";
