export declare const ROOT: string;
export declare function sourceState(root?: string): {files: string[]; stamp: string};
export declare function build(root?: string): Promise<string>;
export declare function compiledMain(root?: string): Promise<string>;
