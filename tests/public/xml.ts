/**
 * A small, strict XML reader for the tests (workerd has no DOMParser): refuses anything that is not
 * well-formed — unbalanced or crossed tags, a bare "<" or "&", an unknown entity, two roots — and
 * returns the element tree.
 */
export type XmlElement = { name: string; attributes: Record<string, string>; children: XmlElement[]; text: string };

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

function checkText(text: string, where: number) {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "<") throw new Error(`unescaped "<" at ${where + i}`);
    if (text[i] === "&") {
      ENTITY.lastIndex = i;
      if (!ENTITY.test(text)) throw new Error(`bad entity at ${where + i}: ${text.slice(i, i + 12)}`);
    }
  }
}

function decode(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, "&");
}

export function parseXml(xml: string): XmlElement {
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  if (rest.length === xml.length && xml.startsWith("<?")) throw new Error("bad XML declaration");
  const root: XmlElement = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  let offset = xml.length - rest.length;
  const tag = /^<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>/;
  while (rest.length > 0) {
    const next = rest.indexOf("<");
    const text = next < 0 ? rest : rest.slice(0, next);
    checkText(text, offset);
    const current = stack.at(-1)!;
    if (current === root && text.trim() !== "") throw new Error("text outside the root element");
    current.text += decode(text);
    if (next < 0) break;
    rest = rest.slice(next);
    offset += next;
    const match = tag.exec(rest);
    if (!match) throw new Error(`malformed tag at ${offset}: ${rest.slice(0, 40)}`);
    const [whole, closing, name, rawAttributes, selfClosing] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name}> at ${offset}`);
    } else {
      const attributes: Record<string, string> = {};
      for (const [, key, value] of rawAttributes.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) {
        checkText(value!, offset);
        if (key! in attributes) throw new Error(`duplicate attribute ${key}`);
        attributes[key!] = decode(value!);
      }
      const element: XmlElement = { name, attributes, children: [], text: "" };
      if (stack.at(-1) === root && root.children.length > 0) throw new Error("more than one root element");
      stack.at(-1)!.children.push(element);
      if (!selfClosing) stack.push(element);
    }
    rest = rest.slice(whole.length);
    offset += whole.length;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (root.children.length !== 1) throw new Error("no root element");
  return root.children[0]!;
}

export function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...descendants(child, name)]);
}
