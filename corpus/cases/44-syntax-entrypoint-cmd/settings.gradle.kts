rootProject.name = "migrate"
