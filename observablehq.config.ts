export default {
  root: "src",
  title: "benchbook",
  globalStylesheets: [],
  preserveExtension: true,
  footer: "Built with benchbook.",
};
