# The Arduino library (port/arduino, examples/arduino, scripts/arduino_lib.sh):
#
#   make arduino-lib   lay the library out in $(BUILD)/arduino/bmqtt (library.properties, src/, examples/)
#   make test-arduino  arduino-builder compiles its example for ATmega2560 warning-free, and the
#                      Client transport runs natively against mosquitto (tests/arduino/run.sh)
ARDUINO_PKGS := arduino-builder arduino-core-avr arduino-ctags g++ mosquitto mosquitto-clients
ARDUINO_TEST := $(BUILD)/arduino_test
ARDUINO_CXX  ?= g++
ARDUINO_INC  := -Iinclude -Iport/arduino -Itests/arduino/native
# The port gets the library's warnings (C++ spelling), the test program the tests'.
ARDUINO_WARN := -std=c++11 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wcast-qual -Wundef -Werror

$(BUILD)/obj/port/arduino/%.o: port/arduino/%.cpp port/arduino/bmqtt_arduino.h
	@mkdir -p $(dir $@)
	$(ARDUINO_CXX) $(CFLAGS) $(ARDUINO_WARN) $(ARDUINO_INC) -c $< -o $@
$(BUILD)/obj/tests/arduino/%.o: tests/arduino/%.cpp port/arduino/bmqtt_arduino.h
	@mkdir -p $(dir $@)
	$(ARDUINO_CXX) $(CFLAGS) -std=c++11 -Wall -Wextra -Werror -Wno-missing-field-initializers $(ARDUINO_INC) -c $< -o $@
$(BUILD)/obj/tests/arduino/native/%.o: tests/arduino/native/%.cpp
	@mkdir -p $(dir $@)
	$(ARDUINO_CXX) $(CFLAGS) -std=c++11 -Wall -Wextra -Werror $(ARDUINO_INC) -c $< -o $@
$(ARDUINO_TEST): $(BUILD)/obj/tests/arduino/arduino_test.o $(BUILD)/obj/tests/arduino/native/PosixClient.o \
                 $(BUILD)/obj/port/arduino/bmqtt_arduino.o $(LIB)
	$(ARDUINO_CXX) $(CFLAGS) $(LDFLAGS) $^ -o $@

.PHONY: arduino-lib test-arduino arduino-test-run
arduino-lib:
	@scripts/arduino_lib.sh $(BUILD)/arduino/bmqtt

test-arduino:
	@scripts/deps.sh $(ARDUINO_PKGS)
	@$(MAKE) --no-print-directory arduino-test-run

arduino-test-run: $(ARDUINO_TEST)
	@BUILD=$(BUILD) tests/arduino/run.sh

EXTRA_TESTS += test-arduino
