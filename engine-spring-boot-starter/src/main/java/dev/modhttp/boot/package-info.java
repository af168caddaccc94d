/** Spring Boot auto-configuration: assembles the engine from beans and application.yml and runs it. */
package dev.modhttp.boot;
