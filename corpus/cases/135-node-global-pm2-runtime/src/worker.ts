console.log("worker up");
