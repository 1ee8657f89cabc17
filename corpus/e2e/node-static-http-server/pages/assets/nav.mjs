export const pages = ["/", "/about", "/docs/"];
