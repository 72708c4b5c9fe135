// Framework's client modules, for the TypeScript checker (the site's .ts
// files are transpiled by Framework, not checked by it).
declare module "observablehq:stdlib" {
  export interface AbstractFile {
    name: string;
    href: string;
    arrayBuffer(): Promise<ArrayBuffer>;
    text(): Promise<string>;
    json(): Promise<any>;
  }
  export function FileAttachment(path: string): AbstractFile;
}
