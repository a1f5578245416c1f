/**
 * The one escaping function for text written into XML that Dataverse parses (FetchXML conditions,
 * PublishXml's ParameterXml): safe in element text and in either kind of quoted attribute.
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

export function escapeXml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
