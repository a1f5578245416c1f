/** Reads a .resx file (as the platform does for `context.resources.getString`). */
export function parseResx(xml: string): Map<string, string> {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  if (doc.querySelector("parsererror")) throw new Error("The resx file is not well-formed XML");
  const strings = new Map<string, string>();
  for (const data of Array.from(doc.getElementsByTagName("data"))) {
    const name = data.getAttribute("name");
    const value = data.getElementsByTagName("value")[0];
    if (name && value) strings.set(name, value.textContent ?? "");
  }
  return strings;
}
