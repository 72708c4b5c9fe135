/** The browser helpers live with the site scripts (the screenshots and the build's claim check use them too). */
export * from "../../scripts/site/browser.js";
