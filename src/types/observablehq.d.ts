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

// Client libraries without bundled types.
declare module "htl" {
  export function html(strings: TemplateStringsArray, ...values: unknown[]): HTMLElement & Node;
  export function svg(strings: TemplateStringsArray, ...values: unknown[]): SVGElement;
}
declare module "@observablehq/inputs" {
  type Input<T = any> = HTMLElement & {value: T};
  export function table(data: any, options?: any): Input;
  export function search(data: any, options?: any): Input;
  export function select(data: any, options?: any): Input;
  export function checkbox(data: any, options?: any): Input<any[]>;
  export function radio(data: any, options?: any): Input;
  export function toggle(options?: any): Input<boolean>;
  export function range(extent?: any, options?: any): Input<number>;
  export function text(options?: any): Input<string>;
  export function textarea(options?: any): Input<string>;
  export function button(content?: any, options?: any): Input;
  export function form(inputs: any, options?: any): Input;
}
declare module "jstat" {
  const jstat: unknown;
  export default jstat;
}
