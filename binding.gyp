{
  "targets": [
    {
      "target_name": "bsdsock",
      "sources": [
        "native/addon.cc",
        "native/args.cc",
        "native/constants.cc",
        "native/addresses.cc",
        "native/sockets.cc",
        "native/io.cc",
        "native/slots.cc",
        "native/options.cc",
        "native/poll.cc",
        "native/resolver.cc",
        "native/netdb.cc",
        "native/async.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra"]
      }
    }
  ]
}
