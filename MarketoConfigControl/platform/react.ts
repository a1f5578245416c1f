/**
 * React as the bundle sees it: webpack.config.js points every `import … from "react"` of the
 * control here, and this module alone takes the platform's React (the external pcf-scripts
 * declares). Each export is then a local binding the minifier names in a letter or two, where
 * `React.createElement(…)` on the external stays a property access (155 JSX elements).
 *
 * Read once when bundle.js loads, when the platform's React is there already (pcf-scripts' own
 * external reads it then too). What the control uses and is not listed here fails the build
 * (webpack.config.js: exportsPresence "error").
 */
import * as React from "react";

export const { createElement, Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } = React;
