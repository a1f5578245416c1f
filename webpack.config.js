/**
 * What the control's build adds to pcf-scripts' webpack configuration (pcf-scripts merges this file
 * in when featureconfig.json turns `pcfAllowCustomWebpack` on). The budget in
 * scripts/bundle-report.mjs bundles with the same configuration.
 *
 * React and Fluent UI stay the platform's (externals, as pcf-scripts declares them from the manifest),
 * but only MarketoConfigControl/platform/ imports them: every other `import … from "react"` or
 * `"@fluentui/react"` resolves to those modules, which take each name the control uses once.
 * `React.createElement(…)`, `React.useState(…)`, `Fluent.Stack` on an external are property accesses
 * the minifier must keep in full at each use; on those modules' exports they are local names it
 * shortens to a letter or two (3.5 KiB of bundle.js).
 */
const path = require("node:path");

const BINDINGS = {
  react: path.resolve(__dirname, "MarketoConfigControl/platform/react.ts"),
  "@fluentui/react": path.resolve(__dirname, "MarketoConfigControl/platform/fluent.ts"),
};

/**
 * pcf-scripts' externals, except that a request of BINDINGS is external for its bindings module
 * alone and resolves to that module everywhere else. A library the manifest does not declare (the
 * benchmark's build with React and Fluent bundled) is left as it is.
 */
class PlatformBindings {
  apply(compiler) {
    const platform = [compiler.options.externals].flat();
    const names = platform.find((e) => e && typeof e === "object" && !Array.isArray(e) && !(e instanceof RegExp)) ?? {};
    const filters = platform.filter((e) => typeof e === "function");
    const bound = Object.fromEntries(Object.entries(BINDINGS).filter(([request]) => Object.hasOwn(names, request)));
    if (Object.keys(bound).length === 0) return;
    compiler.options.resolve.alias = { ...compiler.options.resolve.alias, ...Object.fromEntries(Object.entries(bound).map(([request, file]) => [`${request}$`, file])) };
    compiler.options.externals = (data, callback) => {
      const binding = bound[data.request];
      // Not external: the alias sends it to its bindings module.
      if (binding && data.contextInfo.issuer !== binding) return callback();
      if (Object.hasOwn(names, data.request)) return callback(undefined, names[data.request]);
      let i = 0;
      const next = (error, value) => (error || value !== undefined ? callback(error, value) : i < filters.length ? filters[i++](data, next) : callback());
      next();
    };
  }
}

module.exports = {
  // pcf-scripts' pathinfo writes /*! ./MarketoConfigControl/index.ts + 50 modules */ comments, which the
  // minifier takes for licence comments: it moved them to a bundle.js.LICENSE.txt that the solution then
  // shipped, and left a banner pointing to it at the top of bundle.js.
  output: { pathinfo: false },
  // A name the control imports that a bindings module does not export fails the build (webpack only warns by default).
  module: { parser: { javascript: { exportsPresence: "error" } } },
  plugins: [new PlatformBindings()],
};
