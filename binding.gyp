{
  # The Node-API addon: the C++ core plus the thin adapters of src/addon. Node-API only (NAPI_VERSION 8), so one
  # binary loads in Node 20 and in Electron 30+ without a rebuild.
  "targets": [
    {
      "target_name": "offline_sync",
      "sources": ["<!@(node scripts/list-sources.js src/core src/addon src/net)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "BOOST_BEAST_USE_STD_STRING_VIEW",
        "BOOST_ASIO_NO_DEPRECATED"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-frtti", "-fvisibility=hidden", "-Wall", "-Wextra"],
      "libraries": ["-lSQLiteCpp", "-lsqlite3", "-lsimdjson", "-lssl", "-lcrypto", "-lz"]
    },
    {
      # The reference sync server (npx offline-sync-server): the core plus src/server, Boost.Beast over Asio.
      "target_name": "offline-sync-server",
      "type": "executable",
      "sources": ["<!@(node scripts/list-sources.js src/core src/server)"],
      "include_dirs": ["src"],
      "defines": ["BOOST_BEAST_USE_STD_STRING_VIEW", "BOOST_ASIO_NO_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-frtti", "-Wall", "-Wextra"],
      "libraries": ["-lSQLiteCpp", "-lsqlite3", "-lsimdjson", "-lssl", "-lcrypto", "-lz", "-lpthread"]
    }
  ]
}
