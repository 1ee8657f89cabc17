require("fs").mkdirSync("build",{recursive:true});
